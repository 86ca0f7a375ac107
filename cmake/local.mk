# cmake/local.mk - the CMake package, included by Makefile.am: make install
# puts wqConfig.cmake and wqConfigVersion.cmake in $(libdir)/cmake/wq, where
# find_package(wq) looks under the prefix.
#
# They are made by make, not configure, because they need the installation
# directories expanded.  The config file finds the prefix from its own place
# (CMAKE_CURRENT_LIST_DIR, then one ".." for every component of $(libdir)
# below the prefix, and two for cmake/wq), so the installed tree stays
# usable moved or under DESTDIR.  Only a libdir or includedir outside the
# prefix gets an absolute path (and that install does not move).
cmakedir = $(libdir)/cmake/wq
cmake_DATA = wqConfig.cmake wqConfigVersion.cmake
EXTRA_DIST += cmake/wqConfig.cmake.in cmake/wqConfigVersion.cmake.in \
	tests/cmake/CMakeLists.txt
CLEANFILES += $(cmake_DATA)

wqConfig.cmake: $(srcdir)/cmake/wqConfig.cmake.in Makefile
	$(AM_V_GEN)prefix='$(prefix)'; libdir='$(libdir)'; \
	includedir='$(includedir)'; \
	lib=$${libdir#"$$prefix"/}; inc=$${includedir#"$$prefix"/}; \
	if [ "$$lib" != "$$libdir" ] && [ "$$inc" != "$$includedir" ]; then \
	  up=`echo "$$lib" | sed 's|[^/][^/]*|..|g'`; \
	  p="\$${CMAKE_CURRENT_LIST_DIR}/../../$$up"; \
	  l="\$${_wq_prefix}/$$lib"; i="\$${_wq_prefix}/$$inc"; \
	else \
	  p=$$prefix; l=$$libdir; i=$$includedir; \
	fi; \
	sed -e "s|@WQ_CMAKE_PREFIX[@]|$$p|" -e "s|@WQ_CMAKE_LIBDIR[@]|$$l|" \
	  -e "s|@WQ_CMAKE_INCLUDEDIR[@]|$$i|" -e 's|@LIBS[@]|$(LIBS)|' \
	  $(srcdir)/cmake/wqConfig.cmake.in > $@.tmp && mv $@.tmp $@

wqConfigVersion.cmake: $(srcdir)/cmake/wqConfigVersion.cmake.in Makefile
	$(AM_V_GEN)sed -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|' \
	  -e 's|@WQ_VERSION_MAJOR[@]|$(WQ_VERSION_MAJOR)|' \
	  -e 's|@WQ_VERSION_MINOR[@]|$(WQ_VERSION_MINOR)|' \
	  $(srcdir)/cmake/wqConfigVersion.cmake.in > $@.tmp && mv $@.tmp $@
