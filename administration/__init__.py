"""The portal's management pages (/quan-ly/): an administrator of a unit manages the users, units,
collection agents of their subtree and reads the reference data. No models of its own; every rule
of who may do what comes from units.access."""
