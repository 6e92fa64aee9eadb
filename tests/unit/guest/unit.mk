# tests/unit/guest/unit.mk - the guests' page-table builder runs on the host too.
UNIT_EXTRA_test_pagetable := platform/guest/pagetable.c
