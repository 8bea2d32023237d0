# captee's TA dev kit: builds an OP-TEE-style TA project for captee, with
# OP-TEE's conventions, so the project's Makefile and sub.mk work unchanged.
#
# A TA's Makefile sets BINARY=<uuid> (or LIBNAME=<name> for a static TA
# library) and includes this file; its sub.mk files list what to build:
#   srcs-y, global-incdirs-y, incdirs-y, cflags-y, cflags-<file>-y,
#   cppflags-y, cppflags-<file>-y, subdirs-y, libnames, libdirs, libdeps.
# Output: $(O)/$(BINARY).ta (O defaults to the current directory): the ELF
# shared object carrying the manifest made from user_ta_header_defines.h
# ($(BINARY).elf beside it keeps the debug sections, for debuggers), signed in OP-TEE's signed TA
# format with TA_SIGN_KEY (default: the kit's keys/default_ta.pem), version
# CFG_TA_VERSION (default 0), algorithm TA_SIGN_ALGO (default
# TEE_ALG_RSASSA_PKCS1_V1_5_SHA256), as OP-TEE's dev kit signs. CFG_TEE_TA_LOG_LEVEL
# and CFG_TA_OPTEE_CORE_API_COMPAT_1_1 are honoured as in OP-TEE.
#
# A captee TA runs on the host, in captee-tahost: it is built with the host
# compilers ($(CC), $(CXX)); a CROSS_COMPILE naming another target is
# refused.

ifeq ($(TA_DEV_KIT_DIR),)
TA_DEV_KIT_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST))))/..)
endif
include $(TA_DEV_KIT_DIR)/mk/conf.mk

ifneq ($(strip $(CROSS_COMPILE)),)
ifneq ($(shell $(CROSS_COMPILE)gcc -dumpmachine 2>/dev/null),$(shell gcc -dumpmachine 2>/dev/null))
$(error captee TAs run on this host; CROSS_COMPILE=$(CROSS_COMPILE) builds for another target (leave it empty))
endif
endif

ifeq ($(BINARY)$(LIBNAME),)
$(error set BINARY=<uuid> (a TA) or LIBNAME=<name> (a TA library) before including ta_dev_kit.mk)
endif

O ?= .
out-dir := $(patsubst %/,%,$(O))
# make drops a leading ./ from file names, so objects in the current
# directory are named without one.
obj-prefix := $(if $(filter .,$(out-dir)),,$(out-dir)/)
CFG_TEE_TA_LOG_LEVEL ?= 2

# The compilers. make's built-in CC is cc; honour an explicit one.
ta-cc := $(CC)
ta-cxx := $(CXX)

ta-cppflags := -DCFG_TEE_TA_LOG_LEVEL=$(CFG_TEE_TA_LOG_LEVEL) -D__captee_ta__
ifeq ($(CFG_TA_OPTEE_CORE_API_COMPAT_1_1),y)
ta-cppflags += -DCFG_TA_OPTEE_CORE_API_COMPAT_1_1=1
endif
ta-cppflags += -I$(TA_DEV_KIT_DIR)/include -I$(captee-includedir)/captee \
	-I$(captee-includedir)/captee/interfaces
ta-cflags := -std=gnu11 -fPIC -fvisibility=hidden -O2 -g -Wall

# ---- sub.mk traversal ------------------------------------------------------
# Each sub.mk is read with the per-directory variables cleared, and what it
# set is recorded against its directory before its subdirectories are read.
all-srcs :=
all-global-incdirs :=

define ta-read-submk
srcs-y :=
global-incdirs-y :=
incdirs-y :=
cflags-y :=
cppflags-y :=
subdirs-y :=
include $(1)/sub.mk
$$(foreach s,$$(srcs-y),$$(eval ta-cflags-of-$(1)/$$(s) := $$(cflags-y) $$(cflags-$$(s)-y)) \
	$$(eval ta-cppflags-of-$(1)/$$(s) := $$(cppflags-y) $$(cppflags-$$(s)-y) \
		$$(addprefix -I$(1)/,$$(incdirs-y))))
all-srcs += $$(addprefix $(1)/,$$(srcs-y))
all-global-incdirs += $$(addprefix $(1)/,$$(global-incdirs-y))
ta-subdirs-of-$(1) := $$(subdirs-y)
$$(foreach d,$$(ta-subdirs-of-$(1)),$$(eval $$(call ta-read-submk,$(1)/$$(d))))
endef
$(eval $(call ta-read-submk,.))

ifeq ($(strip $(all-srcs)),)
$(error no srcs-y in ./sub.mk or its subdirs-y)
endif

all-srcs := $(patsubst ./%,%,$(all-srcs))
global-incdirs := $(patsubst ./%,%,$(all-global-incdirs))
objs := $(addprefix $(obj-prefix),$(addsuffix .o,$(basename $(all-srcs))))

ta-incflags = -I. $(addprefix -I,$(global-incdirs))

$(obj-prefix)%.o: %.c
	@mkdir -p $(dir $@)
	$(ta-cc) $(ta-cflags) $(ta-cppflags) $(ta-incflags) $(ta-cppflags-of-./$<) \
		$(ta-cflags-of-./$<) $(CFLAGS_$(notdir $<)) -MMD -MP -c $< -o $@

$(obj-prefix)%.o: %.S
	@mkdir -p $(dir $@)
	$(ta-cc) -fPIC $(ta-cppflags) $(ta-incflags) $(ta-cppflags-of-./$<) -c $< -o $@

-include $(objs:.o=.d)

# ---- a TA library ------------------------------------------------------------
ifneq ($(LIBNAME),)
all: $(obj-prefix)lib$(LIBNAME).a
$(obj-prefix)lib$(LIBNAME).a: $(objs)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^
clean:
	rm -f $(objs) $(objs:.o=.d) $(obj-prefix)lib$(LIBNAME).a
endif

# ---- a TA ----------------------------------------------------------------------
ifneq ($(BINARY),)
manifest-obj := $(obj-prefix)$(BINARY).manifest.o
properties-obj := $(obj-prefix)$(BINARY).properties.o
elf := $(obj-prefix)$(BINARY).elf
stripped := $(obj-prefix)$(BINARY).stripped.elf
ta := $(obj-prefix)$(BINARY).ta
OBJCOPY ?= objcopy

all: $(ta)

# The manifest, from the TA's user_ta_header_defines.h (found on the TA's
# include path, as OP-TEE's user_ta_header.c finds it).
$(manifest-obj): $(captee-ta-header-source) $(objs)
	@mkdir -p $(dir $@)
	$(ta-cxx) -std=c++20 -fPIC -O2 $(ta-cppflags) $(ta-incflags) -c $< -o $@

# The TA's property table (ta_props), from the same header: C, for the
# compound literals of OP-TEE's TA_CURRENT_TA_EXT_PROPERTIES.
$(properties-obj): $(captee-ta-properties-source) $(objs)
	@mkdir -p $(dir $@)
	$(ta-cc) $(ta-cflags) $(ta-cppflags) $(ta-incflags) -c $< -o $@

ta-libs := $(addprefix -L,$(libdirs)) $(addprefix -l,$(libnames))

# -z defs: a symbol nothing defines is a build error, not a load failure.
# The GP runtime is linked whole, so its entry points are there even in a TA
# that calls none of its functions; its crypto families need libcrypto
# (OpenSSL 3, which the TA host has loaded before its sandbox closes).
$(elf): $(objs) $(manifest-obj) $(properties-obj) $(libdeps)
	$(ta-cxx) -shared -o $@ $(objs) $(manifest-obj) $(properties-obj) $(ta-libs) \
		-Wl,--whole-archive $(captee-libdir)/libcaptee_gp_ta.a -Wl,--no-whole-archive \
		$(captee-libdir)/libcaptee_gp_params.a -L$(captee-libdir) \
		-lcaptee_memory -lcaptee_object -lcrypto -Wl,-z,defs \
		-Wl,--require-defined=captee_ta_manifest_data $(LDFLAGS)

TA_SIGN_KEY ?= $(TA_DEV_KIT_DIR)/keys/default_ta.pem
CFG_TA_VERSION ?= 0
TA_SIGN_ALGO ?= TEE_ALG_RSASSA_PKCS1_V1_5_SHA256

# As OP-TEE's kit, the signed TA carries the ELF without its debug sections.
$(stripped): $(elf)
	$(OBJCOPY) --strip-unneeded $< $@

$(ta): $(stripped) $(TA_SIGN_KEY)
	$(captee-sign) ta --key $(TA_SIGN_KEY) --uuid $(BINARY) --ta-version $(CFG_TA_VERSION) \
		--algo $(TA_SIGN_ALGO) --in $< --out $@

clean:
	rm -f $(objs) $(objs:.o=.d) $(manifest-obj) $(properties-obj) $(elf) $(stripped) $(ta)
endif

.PHONY: all clean
.DEFAULT_GOAL := all
