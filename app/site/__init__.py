"""The pages for people at `/{lang}/…` (search, a record, the timeline) and the Atom feed of a
search, served by the API process from the same services as the JSON routes."""
