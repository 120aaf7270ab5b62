"""Locality demography: the areas and their hierarchy, the localities an analyst groups them
into, the residents in each (conserved at every level), their projection and deprivation.

Pure modules (no Django): geography, conservation, projection, deprivation. `localities`
reads the schemes and the place's name from the database.
"""
