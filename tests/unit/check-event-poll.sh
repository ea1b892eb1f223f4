#!/bin/sh
# The event-pool suite again on libevent's poll backend (epoll disabled).
EVENT_NOEPOLL=1 GF_EVENT_ALLOW_POLL=1 exec "${builddir:-.}/tests/unit/check-event" "$@"
