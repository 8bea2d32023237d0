global-incdirs-y += include
srcs-y += tally_ta.c
