# apps/tcpperf: TCP sink and source for interop tests and benchmarks.
APP_SRCS := apps/tcpperf/tcpperf.c
APP_USES_NET := 1
APP_NETIFS := service
