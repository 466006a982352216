# Run at every build (cmake -P): writes OUTPUT from TEMPLATE with the git commit of SOURCE_DIR and
# today's date (UTC; SOURCE_DATE_EPOCH when set, for reproducible builds). The file is rewritten
# only when its text changes, so an unchanged commit and day recompile nothing. Uncommitted changes
# are not marked: a "-dirty" suffix flipping with every edit would relink every binary each time.
#   -DSOURCE_DIR=… -DTEMPLATE=… -DOUTPUT=… -DLOKAHI_VERSION=…
set(LOKAHI_GIT_COMMIT unknown)
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  # Only SOURCE_DIR's own checkout counts: a tarball unpacked inside another repository is not it.
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --show-toplevel
                  OUTPUT_VARIABLE toplevel OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE toplevel_result ERROR_QUIET)
  file(REAL_PATH "${SOURCE_DIR}" source_real)
  if(toplevel_result EQUAL 0)
    file(REAL_PATH "${toplevel}" toplevel)
  endif()
  if(toplevel_result EQUAL 0 AND toplevel STREQUAL source_real)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE commit_result ERROR_QUIET)
    if(commit_result EQUAL 0 AND NOT commit STREQUAL "")
      set(LOKAHI_GIT_COMMIT ${commit})
    endif()
  endif()
endif()
string(TIMESTAMP LOKAHI_BUILD_DATE "%Y-%m-%d" UTC)
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
