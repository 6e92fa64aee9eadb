# tests/hvt-guests/faults: a guest that misbehaves on request (hvt tests).
APP_SRCS := tests/hvt-guests/faults/faults.c
