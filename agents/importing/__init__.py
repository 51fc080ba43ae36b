"""The participant list import (danh sách người tham gia), built for a million rows in bounded memory:
`columns` (column specs, names, converters, the header), `parse` (the rows, one pass per batch), `people`
(who the file has named, across batches), `reconcile` (who is who, what changes, the write), `error_copy`
(the file given back with its problems) and `run` (`ParticipantImport`, the whole path, batch by batch).
The services the views and jobs call are in `agents.importers`."""
