# Compiler flags shared by every captee target: warnings, -Werror and sanitizers.
add_library(captee_build_flags INTERFACE)
target_compile_options(captee_build_flags INTERFACE -Wall -Wextra)
if(CAPTEE_WERROR)
  target_compile_options(captee_build_flags INTERFACE -Werror)
endif()

if(CAPTEE_SANITIZE STREQUAL "address,undefined")
  set(_captee_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(CAPTEE_SANITIZE STREQUAL "thread")
  set(_captee_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT CAPTEE_SANITIZE STREQUAL "OFF")
  message(FATAL_ERROR "CAPTEE_SANITIZE must be address,undefined, thread or OFF, not '${CAPTEE_SANITIZE}'")
endif()
if(_captee_san)
  add_compile_options(${_captee_san})
  add_link_options(${_captee_san})
endif()

# In a libFuzzer build every library carries coverage instrumentation, so the
# fuzzers see inside the code they drive (the fuzzer targets add the driver).
if(CAPTEE_BUILD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
