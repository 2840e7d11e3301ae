# The product plugin's only dynamic export is the descriptor (DESIGN.md, "Build").
# Run as: cmake -DNM=<nm> -DLIBRARY=<libusers_create_token.so> -P plugin_exports_check.cmake
if(NOT NM OR NOT LIBRARY)
  message(FATAL_ERROR "pass -DNM=<nm> -DLIBRARY=<plugin .so>")
endif()
execute_process(COMMAND "${NM}" -D --defined-only "${LIBRARY}"
                OUTPUT_VARIABLE listing ERROR_VARIABLE error RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${LIBRARY} failed (${rc}): ${error}")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${listing}")
set(names "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^.* " "" name "${line}")
  list(APPEND names "${name}")
endforeach()
if(NOT names STREQUAL "hostsdk_plugin_descriptor")
  list(LENGTH names count)
  message(FATAL_ERROR "${LIBRARY} exports ${count} symbols, expected only "
                      "hostsdk_plugin_descriptor:\n${listing}")
endif()
message(STATUS "${LIBRARY}: exports only hostsdk_plugin_descriptor")
