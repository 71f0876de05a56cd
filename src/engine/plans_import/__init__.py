"""From a plan document (.docx, .xlsx, .pdf) to a draft rule file and its review.

``import_plan`` reads a document into a :class:`~engine.plans_import.table.SourceDocument`,
finds its task tables, matches units to the registry, parses every deadline with the
project's phrase grammar and returns the draft and the list of what a person must decide.
"""
