srcs-y += helper.c
