# tests/hvt-guests/entropy: what an hvt guest gets for randomness (hvt tests).
APP_SRCS := tests/hvt-guests/entropy/entropy.c
