# tests/integration/virtio/rand: mica_plat_random on virtio (entropy.sh).
APP_SRCS := tests/integration/virtio/rand/rand.c
