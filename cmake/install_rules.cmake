# `cmake --install BUILD --prefix PREFIX`: the executables in PREFIX/bin and the shipped data in
# PREFIX/share/cirrus, under the paths it has in the source tree (data/, pricing/catalogs/,
# calibrate/profiles/, scenarios/). The folders are fixed rather than GNUInstallDirs' because
# cirrus finds its data at <executable's folder>/../share/cirrus (common/data_dir.hpp).
set(cirrus_share share/cirrus)

install(TARGETS cirrus RUNTIME DESTINATION bin)
if(TARGET cirrus-calibrate)
  install(TARGETS cirrus-calibrate RUNTIME DESTINATION bin)
endif()

# Validation sets and the residuals behind the error bars; their generator stays in the source.
install(DIRECTORY data/ DESTINATION ${cirrus_share}/data
  FILES_MATCHING PATTERN "*.json" PATTERN "dev" EXCLUDE)
install(DIRECTORY pricing/catalogs DESTINATION ${cirrus_share}/pricing)
# The public profiles travel with their licence (LICENSE-vidur) and README.
install(DIRECTORY calibrate/profiles DESTINATION ${cirrus_share}/calibrate)
install(FILES scenarios/default.json DESTINATION ${cirrus_share}/scenarios)
install(DIRECTORY scenarios/examples scenarios/regression DESTINATION ${cirrus_share}/scenarios
  FILES_MATCHING PATTERN "*.json")
install(FILES LICENSE THIRD_PARTY.md DESTINATION share/doc/cirrus)
