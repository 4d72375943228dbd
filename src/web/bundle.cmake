# Assembles the browser UI's web root: src/web as it is, plus the design systems' compiled files
# from node_modules (npm ci, package-lock.json), so the service serves everything itself and the
# browser fetches nothing from elsewhere. Run by the `web` target: cmake -DSRC=.. -DNODE=.. -DOUT=..
# -P bundle.cmake. The compiled CSS refers to its fonts and images at /assets/; they are served
# under /static/<system>/assets/, so those URLs are rewritten here.
foreach(var SRC NODE OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "bundle.cmake: -D${var}= is required")
  endif()
endforeach()

set(govuk "${NODE}/govuk-frontend/dist/govuk")
set(moj "${NODE}/@ministryofjustice/frontend/moj")
foreach(f "${govuk}/govuk-frontend.min.css" "${moj}/moj-frontend.min.css")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "bundle.cmake: ${f} is missing: run scripts/install-deps (npm ci)")
  endif()
endforeach()

# A fresh tree each time, so a file removed from src/web does not linger in the build.
file(REMOVE_RECURSE "${OUT}")
file(COPY "${SRC}/" DESTINATION "${OUT}" PATTERN "bundle.cmake" EXCLUDE PATTERN "CMakeLists.txt"
     EXCLUDE)

function(vendor name dir css js)
  set(dest "${OUT}/static/${name}")
  file(READ "${dir}/${css}" text)
  string(REPLACE "url(/assets/" "url(/static/${name}/assets/" text "${text}")
  file(WRITE "${dest}/${css}" "${text}")
  file(COPY "${dir}/${js}" DESTINATION "${dest}")
  # Only the types the service serves (src/http/static_files.cc): woff2, not woff.
  file(GLOB_RECURSE assets RELATIVE "${dir}/assets" "${dir}/assets/*.woff2" "${dir}/assets/*.svg"
       "${dir}/assets/*.png" "${dir}/assets/*.ico")
  foreach(a IN LISTS assets)
    get_filename_component(sub "${a}" DIRECTORY)
    file(COPY "${dir}/assets/${a}" DESTINATION "${dest}/assets/${sub}")
  endforeach()
endfunction()

vendor(govuk "${govuk}" govuk-frontend.min.css govuk-frontend.min.js)
vendor(moj "${moj}" moj-frontend.min.css moj-frontend.min.js)
