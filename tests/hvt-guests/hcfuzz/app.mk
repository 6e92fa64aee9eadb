# tests/hvt-guests/hcfuzz: random hypercalls against mica-hvt (hvt tests).
APP_SRCS := tests/hvt-guests/hcfuzz/hcfuzz.c
APP_NETIFS := net0
APP_BLKIFS := disk
