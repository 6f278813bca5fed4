# cvpipe_add_plugin(NAME SOURCES src... [LIBRARIES lib...])
# Builds a cvpipe plugin: a MODULE library named cvpipe_<NAME>.so linked to the SDK. In the cvpipe
# tree it lands in the build's plugins/ folder and installs with cvpipe; out of tree it builds
# wherever the caller's project puts it (install it to CVPIPE_PLUGIN_INSTALL_DIR or point
# CVPIPE_PLUGIN_PATH at it).
# Out of tree, a project that names no build type builds optimised (Release): a plugin built
# without optimisation would run several times slower than the shipped ones.
if(NOT TARGET cvpipe_sdk AND NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type (cvpipe plugins default to Release)" FORCE)
endif()

function(cvpipe_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  set(target cvpipe_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES PREFIX "lib" CXX_VISIBILITY_PRESET hidden)
  if(TARGET cvpipe_sdk)
    target_link_libraries(${target} PRIVATE cvpipe_sdk ${ARG_LIBRARIES})
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${CVPIPE_BUILD_PLUGIN_DIR}")
    install(TARGETS ${target} LIBRARY DESTINATION "${CVPIPE_PLUGIN_INSTALL_DIR}")
  else()
    target_link_libraries(${target} PRIVATE cvpipe::sdk ${ARG_LIBRARIES})
  endif()
endfunction()
