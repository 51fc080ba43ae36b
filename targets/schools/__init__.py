"""Schools and their pupils' BHYT per school year: the import resources, the admin and the demo data
(the models are targets.models.schools; the table is reports.tables.students)."""
