global-incdirs-y += include
srcs-y += probe_ta.c
cflags-y += -DPROBE_DIR_FLAG=1
cflags-probe_ta.c-y += -DPROBE_FILE_FLAG=7
subdirs-y += parts
libnames += probe_helpers
libdirs += ../helperlib
