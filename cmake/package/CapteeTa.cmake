# captee_add_ta(): build a trusted app (TA) for captee-tahost.
#
#   captee_add_ta(NAME <name> SOURCES <src>... [INCLUDE <dir>...] [LINK <lib>...]
#                 [IDL <file.idl>...] [OUTPUT_DIR <dir>])
#
# Builds the ELF shared object <OUTPUT_DIR>/<name>.ta (default
# ${CMAKE_BINARY_DIR}/ta, or CAPTEE_TA_OUTPUT_DIR if set) as CMake target
# <name>. C symbols are hidden by default: only what ta_sdk.h marks (the
# manifest, captee_ta_get_app_object, captee_ta_init) is exported. C++ keeps
# default visibility: the TA's classes derive from captee::LocalObject, whose
# type_info must be the one libcaptee_object has (hidden type_info is compared
# by address, which breaks dynamic_cast and UBSan's vptr checks across DSOs). The TA
# links captee::interfaces (object.h, captee/object.hpp, ta_sdk.h and every
# generated interface header) and, with IDL, the C and C++ headers generated
# from its own .idl files (target <name>_idl). One source must use
# CAPTEE_TA_MANIFEST() (see ta_sdk.h and docs/TA.md).
include_guard(GLOBAL)

function(captee_add_ta)
  cmake_parse_arguments(TA "" "NAME;OUTPUT_DIR" "SOURCES;INCLUDE;LINK;IDL" ${ARGN})
  if(NOT TA_NAME OR NOT TA_SOURCES)
    message(FATAL_ERROR "captee_add_ta: NAME and SOURCES are required")
  endif()
  if(TA_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "captee_add_ta: unknown arguments: ${TA_UNPARSED_ARGUMENTS}")
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
  target_link_libraries(${TA_NAME} PRIVATE captee::interfaces ${TA_LINK})
  if(TARGET captee_build_flags)
    target_link_libraries(${TA_NAME} PRIVATE captee_build_flags)
  endif()
  if(TA_IDL)
    captee_idl(TARGET ${TA_NAME}_idl FILES ${TA_IDL} LANGS c cpp)
    target_link_libraries(${TA_NAME} PRIVATE ${TA_NAME}_idl)
  endif()
  set_property(TARGET ${TA_NAME} PROPERTY CAPTEE_TA_FILE ${TA_OUTPUT_DIR}/${TA_NAME}.ta)
endfunction()
