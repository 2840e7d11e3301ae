# Sanitizer and libFuzzer instrumentation for the whole tree (host, plugin MODULE, tests).
# RCT_SANITIZE picks the sanitizers; RCT_BUILD_FUZZERS adds coverage for libFuzzer (clang).
set(RCT_SANITIZE "" CACHE STRING
    "Sanitizers for every target: empty, address,undefined (or a subset), or thread")
option(RCT_BUILD_FUZZERS "Build the libFuzzer targets in fuzz/ (clang only)" OFF)

if(RCT_BUILD_FUZZERS AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "RCT_BUILD_FUZZERS needs clang++ (libFuzzer); use the fuzz preset")
endif()

if(RCT_SANITIZE)
  string(REPLACE "," ";" _rct_sanitizers "${RCT_SANITIZE}")
  if("thread" IN_LIST _rct_sanitizers AND "address" IN_LIST _rct_sanitizers)
    message(FATAL_ERROR "RCT_SANITIZE: thread and address cannot be combined")
  endif()
  foreach(_s IN LISTS _rct_sanitizers)
    if(NOT _s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "RCT_SANITIZE: unknown sanitizer \"${_s}\"")
    endif()
  endforeach()

  # Every object, the MODULE included: a plugin built without ASan inside an ASan host
  # (or the reverse) hides errors at the boundary and trips container-overflow checks.
  add_compile_options(-fsanitize=${RCT_SANITIZE} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${RCT_SANITIZE})
  if("undefined" IN_LIST _rct_sanitizers)
    # A UB report is a failure, not a warning that scrolls past.
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()

  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Clang links the sanitizer runtime into the executable only and exports it from there;
    # a MODULE's references to it resolve when the host loads it. The plugin's
    # -Wl,--no-undefined would reject that, so it is relaxed at the end of every link line.
    set(CMAKE_CXX_STANDARD_LIBRARIES "${CMAKE_CXX_STANDARD_LIBRARIES} -Wl,-z,undefs")
  endif()
  # GCC links the shared libasan/libubsan/libtsan into executables and modules alike, so a
  # sanitized plugin loads into a sanitized rchost with one runtime and nothing else to set.
  message(STATUS "Sanitizers: ${RCT_SANITIZE}")
endif()

if(RCT_BUILD_FUZZERS)
  # Coverage feedback in every library the fuzzers reach; fuzz/ links with -fsanitize=fuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
