# Writes the example /etc/lokahi/lokahi.env from the configuration table of README.md, so the file
# the package installs names every variable the README documents and never drifts from it.
#   cmake -DREADME=README.md -DOUTPUT=lokahi.env -P write_env_file.cmake
# Every line is a comment: the daemons' defaults hold until an operator uncomments one.

file(STRINGS "${README}" lines ENCODING UTF-8)
set(in_table FALSE)
set(out "# /etc/lokahi/lokahi.env: settings the lokahi-cpp services share (systemd reads it for
# lokahid.service, healthworker@.service and webhookworker.service; lokahi-samplehook.service
# reads /etc/lokahi/samplehook.env alone, since PORT here is lokahid's).
#
# Settings one daemon alone needs, PORT and LOKAHI_METRICS_PORT above all (two daemons on one
# host cannot share a port), go in its own file, read after this one:
#   /etc/lokahi/lokahid.env, /etc/lokahi/webhookworker.env,
#   /etc/lokahi/healthworker.env (every worker), /etc/lokahi/healthworker@N.env (instance N).
#
# Written from the configuration table of README.md, whose wording each entry repeats. Every
# line is commented: a daemon's default holds until you uncomment the variable and set it.
# This file may hold secrets (USERPASS, credentials in DATABASE_URL): keep it readable by root
# only; systemd reads it before starting each service.
")
foreach(line IN LISTS lines)
  if(line MATCHES "^## ")
    if(line MATCHES "^## Configuration")
      set(in_table TRUE)
    else()
      set(in_table FALSE)
    endif()
    continue()
  endif()
  if(NOT in_table OR NOT line MATCHES "^\\| `")
    continue()
  endif()
  # | `NAME` (/ `NAME2`) | used by | default | meaning |
  string(REGEX MATCH "^\\| ([^|]*) \\| ([^|]*) \\| ([^|]*) \\| (.*) \\|$" row "${line}")
  if(NOT row)
    message(FATAL_ERROR "README.md configuration row not understood: ${line}")
  endif()
  set(names_cell "${CMAKE_MATCH_1}")
  set(used_by "${CMAKE_MATCH_2}")
  set(default "${CMAKE_MATCH_3}")
  set(meaning "${CMAKE_MATCH_4}")
  string(REGEX MATCHALL "`[A-Z_0-9]+`" names "${names_cell}")
  # The meaning, word-wrapped into comment lines of at most 100 columns.
  # Semicolons separate CMake list items: keep the text's own out of the way while splitting.
  string(REPLACE ";" "<semicolon>" meaning "${meaning}")
  string(REGEX REPLACE "[ ]+" ";" words "${meaning}")
  string(REPLACE "`" "" names_text "${names_cell}")
  set(text "\n# ${names_text} (${used_by}; default ${default})\n#  ")
  set(column 3)
  foreach(word IN LISTS words)
    string(REPLACE "<semicolon>" ";" word "${word}")
    string(LENGTH "${word}" length)
    math(EXPR next "${column} + ${length} + 1")
    if(next GREATER 100 AND column GREATER 3)
      string(APPEND text "\n#  ")
      set(column 3)
    endif()
    string(APPEND text " ${word}")
    math(EXPR column "${column} + ${length} + 1")
  endforeach()
  string(APPEND out "${text}\n")
  foreach(name IN LISTS names)
    string(REPLACE "`" "" name "${name}")
    string(APPEND out "#${name}=\n")
  endforeach()
endforeach()
file(WRITE "${OUTPUT}" "${out}")
