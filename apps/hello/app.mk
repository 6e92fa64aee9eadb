# apps/hello: prints a greeting, waits on a timer, exits with --exit=N.
APP_SRCS := apps/hello/hello.c
