// rchost, the reference host: serves plugins over HTTP and administers its data.
// Everything happens in cli::run; see `rchost --help`.
#include "cli/app.h"

int main(int argc, char** argv) { return host::cli::run(argc, argv); }
