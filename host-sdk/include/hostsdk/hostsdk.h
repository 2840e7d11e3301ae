// Umbrella header for plugin authors.
#pragma once

#include "hostsdk/descriptor.h"
#include "hostsdk/plugin.h"
#include "hostsdk/request.h"
#include "hostsdk/services.h"
#include "hostsdk/status.h"
#include "hostsdk/version.h"
