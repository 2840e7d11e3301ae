# Project-wide warning flags, applied per target with rct_warnings(target).
function(rct_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wno-missing-field-initializers)
endfunction()
