# captee_add_ta(): build a trusted app (TA) for captee-tahost.
#
#   captee_add_ta([NAME <name>] SOURCES <src>... [INCLUDE <dir>...] [LINK <lib>...]
#                 [IDL <file.idl>...] [OUTPUT_DIR <dir>])
#
# Builds the ELF shared object <OUTPUT_DIR>/<name>.ta (default
# ${CMAKE_BINARY_DIR}/ta, or CAPTEE_TA_OUTPUT_DIR if set) as CMake target
# <name>. Without NAME, a GP TA is named after the TA_UUID of the
# user_ta_header_defines.h found in its INCLUDE directories (the lower-case
# UUID, the file name capteed looks for); configuring fails if there is none.
#
# C symbols are hidden by default: only what ta_sdk.h marks (the manifest,
# captee_ta_get_app_object, captee_ta_init) is exported. C++ keeps default
# visibility: the TA's classes derive from captee::LocalObject, whose
# type_info must be the one libcaptee_object has (hidden type_info is compared
# by address, which breaks dynamic_cast and UBSan's vptr checks across DSOs).
# The TA links captee::interfaces (object.h, captee/object.hpp, ta_sdk.h and
# every generated interface header) and, with IDL, the C and C++ headers
# generated from its own .idl files (target <name>_idl). One source must use
# CAPTEE_TA_MANIFEST() (see ta_sdk.h and docs/TA.md); a GP TA linking
# captee::gp_ta gets its manifest from the runtime.
#
# Mistakes are build errors, not load-time surprises: the link fails if the
# TA has no manifest (--require-defined) or leaves a symbol undefined
# (-z defs; not in captee's own sanitizer builds, whose runtimes are left to
# the program), and captee::gp_ta is linked whole, so its entry points are in
# the TA even if the TA calls none of its functions.
include_guard(GLOBAL)

# The GP runtime's manifest source is C++ and its property table C; a TA
# project may be C only, or C++ only.
if(NOT CMAKE_CXX_COMPILER_LOADED)
  enable_language(CXX)
endif()
if(NOT CMAKE_C_COMPILER_LOADED)
  enable_language(C)
endif()

# Where tee_api_types.h is: beside this file's package in an install, or the
# source tree's include/ when captee itself is being built.
foreach(_captee_dir ${CMAKE_CURRENT_LIST_DIR}/../../../include ${CMAKE_CURRENT_LIST_DIR}/../../include)
  if(EXISTS ${_captee_dir}/tee_api_types.h)
    get_filename_component(_captee_dir ${_captee_dir} ABSOLUTE)
    set_property(GLOBAL PROPERTY CAPTEE_TA_SDK_INCLUDE ${_captee_dir})
    break()
  endif()
endforeach()

# Sets <out> to the lower-case UUID that TA_UUID in user_ta_header_defines.h
# (searched in <includes>) names, by compiling and running a small host
# program: TA_UUID is usually a macro naming another macro.
function(_captee_ta_uuid_from_header out includes)
  set(dir ${CMAKE_BINARY_DIR}/CMakeFiles/captee_ta_uuid)
  get_property(sdk_include GLOBAL PROPERTY CAPTEE_TA_SDK_INCLUDE)
  file(WRITE ${dir}/print_uuid.c [=[
#include <stdio.h>
#include "tee_api_types.h"
#include "user_ta_header_defines.h"
int main(void) {
  static const TEE_UUID u = TA_UUID;
  printf("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)u.timeLow,
         (unsigned)u.timeMid, (unsigned)u.timeHiAndVersion, u.clockSeqAndNode[0],
         u.clockSeqAndNode[1], u.clockSeqAndNode[2], u.clockSeqAndNode[3],
         u.clockSeqAndNode[4], u.clockSeqAndNode[5], u.clockSeqAndNode[6],
         u.clockSeqAndNode[7]);
  return 0;
}
]=])
  try_run(run_result compiled ${dir} ${dir}/print_uuid.c
          CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${includes};${sdk_include}"
          COMPILE_OUTPUT_VARIABLE compile_log RUN_OUTPUT_VARIABLE uuid)
  if(NOT compiled OR NOT run_result EQUAL 0 OR NOT uuid MATCHES "^[0-9a-f-]+$")
    message(FATAL_ERROR "captee_add_ta: no NAME given and no TA_UUID found in a "
                        "user_ta_header_defines.h under INCLUDE (${includes}):\n${compile_log}")
  endif()
  set(${out} ${uuid} PARENT_SCOPE)
endfunction()

function(captee_add_ta)
  cmake_parse_arguments(TA "" "NAME;OUTPUT_DIR" "SOURCES;INCLUDE;LINK;IDL" ${ARGN})
  if(NOT TA_SOURCES)
    message(FATAL_ERROR "captee_add_ta: SOURCES is required")
  endif()
  if(TA_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "captee_add_ta: unknown arguments: ${TA_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TA_NAME)
    _captee_ta_uuid_from_header(TA_NAME "${TA_INCLUDE}")
  endif()
  if(NOT TA_NAME MATCHES "^[A-Za-z0-9._-]+$")
    message(FATAL_ERROR "captee_add_ta: NAME must match [A-Za-z0-9._-]+")
  endif()
  if(NOT TA_OUTPUT_DIR)
    if(CAPTEE_TA_OUTPUT_DIR)
      set(TA_OUTPUT_DIR ${CAPTEE_TA_OUTPUT_DIR})
    else()
      set(TA_OUTPUT_DIR ${CMAKE_BINARY_DIR}/ta)
    endif()
  endif()

  add_library(${TA_NAME} MODULE ${TA_SOURCES})
  set_target_properties(${TA_NAME} PROPERTIES
    PREFIX "" SUFFIX ".ta" OUTPUT_NAME ${TA_NAME}
    LIBRARY_OUTPUT_DIRECTORY ${TA_OUTPUT_DIR}
    C_VISIBILITY_PRESET hidden
    POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${TA_NAME} PRIVATE ${TA_INCLUDE})
  list(TRANSFORM TA_LINK REPLACE "^captee::gp_ta$" "$<LINK_LIBRARY:WHOLE_ARCHIVE,captee::gp_ta>")
  target_link_libraries(${TA_NAME} PRIVATE captee::interfaces ${TA_LINK})
  target_link_options(${TA_NAME} PRIVATE "LINKER:--require-defined=captee_ta_manifest_data")
  if(NOT CAPTEE_SANITIZE OR CAPTEE_SANITIZE STREQUAL "OFF")
    target_link_options(${TA_NAME} PRIVATE "LINKER:-z,defs")
  endif()
  if(TARGET captee_build_flags)
    target_link_libraries(${TA_NAME} PRIVATE captee_build_flags)
  endif()
  if(TA_IDL)
    captee_idl(TARGET ${TA_NAME}_idl FILES ${TA_IDL} LANGS c cpp)
    target_link_libraries(${TA_NAME} PRIVATE ${TA_NAME}_idl)
  endif()
  set_property(TARGET ${TA_NAME} PROPERTY CAPTEE_TA_FILE ${TA_OUTPUT_DIR}/${TA_NAME}.ta)
endfunction()
