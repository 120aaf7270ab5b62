"""Prevalence estimation: published rates by age and sex applied to the population, with
intervals (`estimation`, `intervals`: pure), and the estimates the need pages show
(`estimates`: reads through the selectors)."""
