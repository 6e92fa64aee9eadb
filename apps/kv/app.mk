# apps/kv: the key-value appliance - Redis's protocol (RESP2) over TCP,
# the data in a crash-safe log on the block device `data` (lib/kv).
#   ./mica build apps/kv -t TARGET
#   build/unix/kv/kv.unix --block:data=FILE [--listen=IP:PORT]
APP_SRCS := apps/kv/main.c apps/kv/conn.c apps/kv/cmd.c apps/kv/cmd_keys.c apps/kv/cmd_server.c apps/kv/glob.c
APP_LIBS := blk kv resp
APP_USES_NET := 1
APP_NETIFS := service
APP_BLKIFS := data
