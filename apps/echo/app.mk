# apps/echo: UDP and TCP echo on --port=N.
APP_SRCS := apps/echo/echo.c
APP_USES_NET := 1
APP_NETIFS := service
