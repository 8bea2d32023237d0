incdirs-y += private
srcs-y += part.c
