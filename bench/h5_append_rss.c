/* Resident memory of HDF5 alone while five series grow as in a simulate output
   (/time, /currents, /variance, /psi, /traces/x of the soak benchmark: 1, 4, 2, 2, 8
   columns, chunks of 64 rows, appended 64 rows at a time with H5Dset_extent, the
   file settings of MrOutputCreate). Not built by meson; see docs/validation.md, "Soak".

     mpicc -O2 -I/usr/include/hdf5/openmpi bench/h5_append_rss.c -o h5_append_rss \
           -L/usr/lib/x86_64-linux-gnu/hdf5/openmpi -lhdf5
     ./h5_append_rss [rows (default 10^6)]     (in a scratch directory: writes t.h5)

   Environment: SERIAL=1 the sec2 driver instead of MPI-IO; CH=K chunks of K rows;
   MDC=KB a metadata cache of at most KB kB. */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long rss_kb(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  char  l[256];
  long  v = 0;
  while (f && fgets(l, sizeof(l), f))
    if (!strncmp(l, "VmRSS:", 6)) v = atol(l + 6);
  if (f) fclose(f);
  return v;
}

int main(int argc, char **argv)
{
  const char *nm[5] = {"time", "currents", "variance", "psi", "x"};
  const int   nc[5] = {1, 4, 2, 2, 8};
  long        rows  = argc > 1 ? atol(argv[1]) : 1000000, r0;
  hsize_t     ch    = getenv("CH") ? (hsize_t)atol(getenv("CH")) : 64;
  hid_t       fapl, f, dx, d[5];
  double      buf[64 * 8];

  MPI_Init(&argc, &argv);
  fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (!getenv("SERIAL")) H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  if (getenv("MDC")) {
    H5AC_cache_config_t c;
    c.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    H5Pget_mdc_config(fapl, &c);
    c.set_initial_size = 1;
    c.initial_size = c.max_size = (size_t)atol(getenv("MDC")) * 1024;
    if (c.min_size > c.initial_size) c.min_size = c.initial_size;
    H5Pset_mdc_config(fapl, &c);
  }
  f  = H5Fcreate("t.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  dx = H5Pcreate(H5P_DATASET_XFER);
  if (!getenv("SERIAL")) H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
  for (int k = 0; k < 5; k++) {
    hsize_t dims[2] = {0, (hsize_t)nc[k]}, maxd[2] = {H5S_UNLIMITED, (hsize_t)nc[k]}, chunk[2] = {ch, (hsize_t)nc[k]};
    hid_t   sp = H5Screate_simple(2, dims, maxd), p = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(p, 2, chunk);
    d[k] = H5Dcreate2(f, nm[k], H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, p, H5P_DEFAULT);
    H5Sclose(sp);
    H5Pclose(p);
  }
  for (int i = 0; i < 64 * 8; i++) buf[i] = i;
  r0 = rss_kb();
  for (long n = 0; n < rows; n += 64) {
    for (int k = 0; k < 5; k++) {
      hsize_t dims[2] = {(hsize_t)n + 64, (hsize_t)nc[k]}, st[2] = {(hsize_t)n, 0}, cnt[2] = {64, (hsize_t)nc[k]};
      hid_t   fs, ms;
      H5Dset_extent(d[k], dims);
      fs = H5Dget_space(d[k]);
      ms = H5Screate_simple(2, cnt, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL);
      H5Dwrite(d[k], H5T_NATIVE_DOUBLE, ms, fs, dx, buf);
      H5Sclose(fs);
      H5Sclose(ms);
    }
    if ((n / 64) % (rows / 640 > 0 ? rows / 640 : 1) == 0) printf("rows %9ld  RSS %ld kB (%+ld)\n", n, rss_kb(), rss_kb() - r0);
  }
  printf("rows %9ld  RSS %ld kB (%+ld)\n", rows, rss_kb(), rss_kb() - r0);
  for (int k = 0; k < 5; k++) H5Dclose(d[k]);
  H5Pclose(dx);
  H5Fclose(f);
  H5Pclose(fapl);
  MPI_Finalize();
  return 0;
}
