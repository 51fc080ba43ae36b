"""The participant list import (danh sách người tham gia), built for 100.000 rows in seconds:
`columns` (column specs, names, converters, the header), `parse` (the rows, one pass), `reconcile`
(who is who, what changes, the write), `error_copy` (the file given back with its problems) and
`run` (`ParticipantImport`, the whole path). The services the views and jobs call are in
`agents.importers`."""
