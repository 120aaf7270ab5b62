"""URL names that are not pages a person reads, for the tests that open every page."""

# JSON polled by the pages' scripts, and downloads (their tests open them as files).
DATA = {
    "gapanalysis:run_progress",
    "uploads:progress",
    "gapanalysis:locality_download",
    "gapanalysis:export_download",
    "needs:need_download",
    "uploads:services_template",
}
# Map documents: drawn in the frames of the pages that show them (the maps' tests open them).
MAP_DOCUMENTS = {
    "gapanalysis:locality_map",
    "gapanalysis:run_map_document",
    "needs:need_map",
    "provision:sites_map",
}
NOT_PAGES = DATA | MAP_DOCUMENTS
