"""What every ONS population layout returns (see needs.importers.ons_population): the columns,
the ages, the LSOA code headers and the vintage and facts reported with the rows.

Pure: pandas only, no Django.
"""

import pandas as pd

from needs.importers.checks import Problems
from needs.importers.tables import Parsed

OLDEST = 90
AGES = range(OLDEST + 1)
AGE_COLUMNS = [*(str(age) for age in range(OLDEST)), f"{OLDEST}+"]
OUTPUT = ["area_code", "area_name", "year", "sex", "age", "count"]
FIRST_2021_LSOA_YEAR = 2021  # SAPE for mid-2021 onwards are published on 2021 LSOAs only

CODE_HEADERS = {  # normalised header -> LSOA vintage it names ("" = does not say)
    "lsoa code": "",
    "area code": "",
    "lsoa11 code": "lsoa11",
    "lsoa11cd": "lsoa11",
    "lsoa 2011 code": "lsoa11",
    "lsoa21 code": "lsoa21",
    "lsoa21cd": "lsoa21",
    "lsoa 2021 code": "lsoa21",
}
LAYOUTS_NEEDED = (
    "either columns area_code, sex, age and count (one row per area, sex and age; area_name "
    "and year optional) or an LSOA code column (lsoa11_code, 'LSOA Code', 'LSOA 2021 Code') "
    "with one column per age: 0 to 89 and 90+ (persons), or F0 to F90 and M0 to M90"
)


def finish(frame: pd.DataFrame, problems: Problems, layout: str, vintage: str, year: int) -> Parsed:
    """The rows with their facts; a blank vintage is 2021 LSOAs from mid-2021 on, else
    warned of."""
    warnings = []
    if not vintage and year >= FIRST_2021_LSOA_YEAR:
        vintage = "lsoa21"
    elif not vintage:
        warnings.append(
            f"The file does not say whether its areas are 2011 or 2021 LSOAs (mid-{year} is "
            "published on both); name the code column lsoa11_code or lsoa21_code to say."
        )
    facts = {
        "layout": layout,
        "year": year,
        "sexes": "persons" if (frame["sex"] == "P").all() else "female and male",
        "vintage": vintage,
        "areas": int(frame["area_code"].nunique()),
    }
    return problems.result(frame, warnings=warnings, facts=facts)
