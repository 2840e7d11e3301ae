# CPack: Debian packages rchost (component host) and rchost-plugin-users-create-token
# (component plugin), built by `cpack -G DEB` in the build directory; the SDK is not packaged.

set(RCT_PACKAGE_MAINTAINER "rchost maintainers <root@localhost>" CACHE STRING
    "Maintainer field of the Debian packages")

# dpkg wants maintainer scripts under their own names; one directory per package.
set(rct_deb_dir "${CMAKE_BINARY_DIR}/packaging")
set(rct_pkg_src "${PROJECT_SOURCE_DIR}/packaging")
configure_file(${rct_pkg_src}/rchost.postinst ${rct_deb_dir}/host/postinst COPYONLY)
configure_file(${rct_pkg_src}/rchost.prerm ${rct_deb_dir}/host/prerm COPYONLY)
# conffiles takes no comments, so it is written here rather than kept as a source file.
file(WRITE ${rct_deb_dir}/host/conffiles "/etc/default/rchost\n/etc/rchost/config.json\n")
configure_file(${rct_pkg_src}/plugin-restart.sh ${rct_deb_dir}/plugin/postinst COPYONLY)
configure_file(${rct_pkg_src}/plugin-restart.sh ${rct_deb_dir}/plugin/postrm COPYONLY)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rchost)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${RCT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL host plugin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Library dependencies come from dpkg-shlibdeps, as for any Debian package.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_HOST_PACKAGE_NAME rchost)
set(CPACK_DEBIAN_HOST_PACKAGE_DEPENDS adduser)  # postinst creates the system user
set(CPACK_DEBIAN_HOST_PACKAGE_CONTROL_EXTRA
    ${rct_deb_dir}/host/conffiles ${rct_deb_dir}/host/postinst ${rct_deb_dir}/host/prerm)
# Descriptions: the first line is the synopsis, the rest the extended description.
set(CPACK_DEBIAN_HOST_DESCRIPTION "Reference chat host with plugins
rchost serves Rocket.Chat-style HTTP APIs for several workspaces, stores users and
tokens in SQLite or PostgreSQL, and loads endpoint plugins from /usr/lib/rchost/plugins.
Runs as the systemd service rchost; settings in /etc/rchost/config.json, overridable
from /etc/default/rchost.")

set(CPACK_DEBIAN_PLUGIN_PACKAGE_NAME rchost-plugin-${PLUGIN_ID})
# The plugin is built for the host API of this release's host.
set(CPACK_DEBIAN_PLUGIN_PACKAGE_DEPENDS "rchost (>= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_PLUGIN_PACKAGE_CONTROL_EXTRA
    ${rct_deb_dir}/plugin/postinst ${rct_deb_dir}/plugin/postrm)
set(CPACK_DEBIAN_PLUGIN_DESCRIPTION "users.createToken endpoint for rchost
POST /api/v1/users.createToken: mint a session login token for a user named by id or
username. Closed until CREATE_TOKENS_FOR_USERS is set in /etc/default/rchost.")

include(CPack)
