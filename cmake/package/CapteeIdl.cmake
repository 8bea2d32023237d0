# captee_idl(): generate C and C++ headers from Mink IDL files at build time.
#
#   captee_idl(TARGET <name> FILES <a.idl> ... [LANGS c cpp] [INCLUDE_DIRS <dir> ...]
#              [OUTPUT_DIR <dir>] [NAMESPACE <c++ namespace>])
#
# For each FILE, writes into OUTPUT_DIR (default ${CMAKE_CURRENT_BINARY_DIR}/<name>-idl):
#   LANGS c   (default) <base>.h (stubs) and <base>_invoke.h (skeletons)
#   LANGS cpp           also <base>.hpp (C++ proxies and skeletons; implies c)
# and creates INTERFACE library <name> whose include path holds OUTPUT_DIR and
# captee's headers (the generated C includes "object.h", the C++ includes
# "captee/object.hpp"), linking captee::object. Linking <name> makes a target
# wait for the generation. Includes are searched in INCLUDE_DIRS, then in
# captee's own IDL folder (IClientEnv.idl, IIO.idl, ...), then next to the
# including file. Headers are regenerated when an IDL file, one of its
# includes or captee-idlc changes. Generated files live only in the build tree.
#
# captee-idlc is the in-tree target when this file is used inside captee's own
# build, and the installed captee::captee-idlc after find_package(captee).
# Set CAPTEE_IDLC_EXECUTABLE to use another binary.
include_guard(GLOBAL)

if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../../tools/idlc/main.cpp")
  # Inside captee's source tree.
  get_filename_component(_captee_idl_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
  set(_CAPTEE_IDL_IN_TREE TRUE CACHE INTERNAL "")
  set(CAPTEE_IDL_DIR "${_captee_idl_root}/idl" CACHE INTERNAL "captee's own .idl files")
  set(_CAPTEE_IDL_HEADERS "${_captee_idl_root}/include" CACHE INTERNAL "")
else()
  # Installed beside capteeConfig.cmake, which sets PACKAGE_PREFIX_DIR before
  # including this file (works for lib/ and multiarch lib/<triplet>/ alike).
  if(DEFINED PACKAGE_PREFIX_DIR)
    set(_captee_idl_prefix "${PACKAGE_PREFIX_DIR}")
  else()
    get_filename_component(_captee_idl_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
  endif()
  set(_CAPTEE_IDL_IN_TREE FALSE CACHE INTERNAL "")
  set(CAPTEE_IDL_DIR "${_captee_idl_prefix}/share/captee/idl" CACHE INTERNAL "captee's own .idl files")
  set(_CAPTEE_IDL_HEADERS "${_captee_idl_prefix}/include" CACHE INTERNAL "")
endif()

function(_captee_idlc_command out_cmd out_dep)
  if(CAPTEE_IDLC_EXECUTABLE)
    set(${out_cmd} "${CAPTEE_IDLC_EXECUTABLE}" PARENT_SCOPE)
    set(${out_dep} "${CAPTEE_IDLC_EXECUTABLE}" PARENT_SCOPE)
  elseif(_CAPTEE_IDL_IN_TREE)
    # The target may be defined later in the configure step; names resolve at generate time.
    set(${out_cmd} "$<TARGET_FILE:captee-idlc>" PARENT_SCOPE)
    set(${out_dep} captee-idlc PARENT_SCOPE)
  elseif(TARGET captee::captee-idlc)
    set(${out_cmd} "$<TARGET_FILE:captee::captee-idlc>" PARENT_SCOPE)
    set(${out_dep} captee::captee-idlc PARENT_SCOPE)
  else()
    find_program(_captee_idlc_path captee-idlc HINTS "${_captee_idl_prefix}/bin" REQUIRED)
    set(${out_cmd} "${_captee_idlc_path}" PARENT_SCOPE)
    set(${out_dep} "${_captee_idlc_path}" PARENT_SCOPE)
  endif()
endfunction()

function(captee_idl)
  cmake_parse_arguments(ARG "" "TARGET;OUTPUT_DIR;NAMESPACE" "FILES;LANGS;INCLUDE_DIRS" ${ARGN})
  if(NOT ARG_TARGET OR NOT ARG_FILES)
    message(FATAL_ERROR "captee_idl: TARGET and FILES are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "captee_idl: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_LANGS)
    set(ARG_LANGS c)
  endif()
  foreach(lang IN LISTS ARG_LANGS)
    if(NOT lang MATCHES "^(c|cpp)$")
      message(FATAL_ERROR "captee_idl: LANGS takes c and/or cpp, not '${lang}'")
    endif()
  endforeach()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}-idl")
  endif()
  _captee_idlc_command(idlc idlc_dep)

  set(flags)
  foreach(dir IN LISTS ARG_INCLUDE_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE)
    list(APPEND flags -I "${dir}")
  endforeach()
  list(APPEND flags -I "${CAPTEE_IDL_DIR}")
  if(ARG_NAMESPACE)
    list(APPEND flags --namespace "${ARG_NAMESPACE}")
  endif()

  set(outputs)
  foreach(idl IN LISTS ARG_FILES)
    get_filename_component(src "${idl}" ABSOLUTE)
    get_filename_component(base "${idl}" NAME_WE)
    set(kinds stub skel)
    if("cpp" IN_LIST ARG_LANGS)
      list(APPEND kinds cpp)
    endif()
    foreach(kind IN LISTS kinds)
      if(kind STREQUAL "stub")
        set(out "${ARG_OUTPUT_DIR}/${base}.h")
        set(opts --lang c)
      elseif(kind STREQUAL "skel")
        set(out "${ARG_OUTPUT_DIR}/${base}_invoke.h")
        set(opts --lang c --skel)
      else()
        set(out "${ARG_OUTPUT_DIR}/${base}.hpp")
        set(opts --lang cpp)
      endif()
      add_custom_command(
        OUTPUT "${out}"
        COMMAND ${idlc} ${opts} ${flags} --depfile "${out}.d" -o "${ARG_OUTPUT_DIR}" "${src}"
        DEPENDS "${src}" ${idlc_dep}
        DEPFILE "${out}.d"
        COMMENT "captee-idlc ${base}.idl -> ${out}"
        VERBATIM)
      list(APPEND outputs "${out}")
    endforeach()
  endforeach()

  add_custom_target(${ARG_TARGET}_generate ALL DEPENDS ${outputs})
  add_library(${ARG_TARGET} INTERFACE)
  # Dependencies of an interface library are followed by everything linking it.
  add_dependencies(${ARG_TARGET} ${ARG_TARGET}_generate)
  target_include_directories(${ARG_TARGET} INTERFACE
    "$<BUILD_INTERFACE:${ARG_OUTPUT_DIR}>"
    "$<BUILD_INTERFACE:${_CAPTEE_IDL_HEADERS}>"
    "$<BUILD_INTERFACE:${_CAPTEE_IDL_HEADERS}/captee>")
  target_link_libraries(${ARG_TARGET} INTERFACE captee::object)
  set_property(TARGET ${ARG_TARGET} PROPERTY CAPTEE_IDL_OUTPUTS "${outputs}")
  set_property(TARGET ${ARG_TARGET} PROPERTY CAPTEE_IDL_OUTPUT_DIR "${ARG_OUTPUT_DIR}")
endfunction()
