"""Sheets brought in by `import_xlsx` for the aid floor: the township's application list.

`sheet` reads the cells, `applications` checks each row with the application
rules and enters all of them or none. The kind is registered with the students
app's command from `SubsidiesConfig.ready()` (students imports no subsidy).
"""
