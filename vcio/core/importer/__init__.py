"""The importer framework: files other tools export → validated rows → one atomic upsert.

Apps register *targets* (what a row becomes: assets, licences, tickets, …),
*presets* (column mappings of real export layouts) and *formats* (readers
for files that are not tables, such as agent inventories) through
:mod:`vcio.core.importer.base`; the engine does the rest the same way for all.
"""
