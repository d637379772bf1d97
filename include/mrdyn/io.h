/* HDF5 helpers and the run-output writer (interfaces.md "Run output").
   Output is written collectively with parallel HDF5 to "<path>.partial" and
   renamed to <path> only after a complete, closed file. */
#pragma once
#include <mrdyn/error.h>

typedef struct _p_MrOutput *MrOutput;
typedef struct _p_MrSeries *MrSeries;

/* Checks the n files a run is about to write, before it creates any. Refused
   whatever force says: a path that is one of the run's inputs (inputs: NULL-
   terminated, may be NULL, empty strings skipped; the -options_file and
   -options_file_yaml files of the command line are added), or whose "<path>.partial" is
   one, compared as files (device and inode, so through any link or relative
   path) or, for a new file, by canonical directory and name; and two paths that
   would write the same file. Refused unless force: an existing file. Always: a
   directory, or a directory that does not exist or where the ".partial" cannot be
   created (tried). options[k] names paths[k] in messages (NULL: "-o"). Creates
   nothing. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputCheckPaths(MPI_Comm comm, PetscInt n, const char *const paths[], const char *const options[], const char *const inputs[], PetscBool force);
/* MrOutputCheckPaths for one output (-o) and the run's inputs. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputCheckPathInputs(MPI_Comm comm, const char path[], const char *const inputs[], PetscBool force);
/* MrOutputCheckPaths for one output (-o) of a run without input files. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputCheckPath(MPI_Comm comm, const char path[], PetscBool force);
/* Whether two paths name the same file: existing files by device and inode,
   new ones by canonical directory and name. Not collective. */
PETSC_EXTERN PetscBool MrPathSame(const char a[], const char b[]);
/* Creates "<path>.partial" for parallel writing. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputCreate(MPI_Comm comm, const char path[], MrOutput *out);
/* Flushes series, marks complete, closes and renames to the final path. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputFinish(MrOutput *out);
/* Closes and removes the partial file (after an error before any result). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputAbandon(MrOutput *out);
PETSC_EXTERN hid_t          MrOutputFile(MrOutput out);

/* Root attributes; every rank passes the same value. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputAttrString(MrOutput out, const char name[], const char value[]);
PETSC_EXTERN PetscErrorCode MrOutputAttrInt(MrOutput out, const char name[], PetscInt64 value);
PETSC_EXTERN PetscErrorCode MrOutputAttrReal(MrOutput out, const char name[], PetscReal value);
PETSC_EXTERN PetscErrorCode MrOutputAttrRealArray(MrOutput out, const char name[], PetscInt n, const PetscReal value[]);

/* Provenance attributes of every output: the complete option set, program, verb,
   version, git commit, model file and hash. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputProvenance(MrOutput out, const char verb[], const char modelFile[], const char modelHash[]);

/* /channel/target and /channel/source. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWriteChannelMap(MrOutput out, PetscInt C, const PetscInt target[], const PetscInt source[]);

/* A fixed dataset whose data rank 0 holds (others pass NULL). type: H5T_NATIVE_DOUBLE
   or H5T_NATIVE_LLONG. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWriteRoot(MrOutput out, const char name[], hid_t type, int rank, const hsize_t dims[], const void *data);
/* A (rows, cols) double dataset written by column blocks: rank-local columns
   [c0, c0 + nc), data column-major (nc x rows). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWriteColumns(MrOutput out, const char name[], hsize_t rows, hsize_t cols, hsize_t c0, hsize_t nc, const double *data);
/* A (n,) dataset of variable-length UTF-8 strings whose values rank 0 holds
   (others may pass NULL); written when the file is finished. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWriteStrings(MrOutput out, const char name[], PetscInt n, const char *const values[]);
/* A real attribute of an existing group or dataset. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputAttrRealAt(MrOutput out, const char obj[], const char name[], PetscReal value);
/* A (rows, cols) double dataset written by row blocks: rank-local rows [r0, r0 + nr). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWriteRows(MrOutput out, const char name[], hsize_t rows, hsize_t cols, hsize_t r0, hsize_t nr, const double *data);

/* A dataset of any rank written by slabs along its first axis: rank-local
   [r0, r0 + nr) x dims[1..]. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWriteSlab(MrOutput out, const char name[], int ndims, const hsize_t dims[], hsize_t r0, hsize_t nr, const double *data);

/* A dataset written by several slabs per rank along its first axis: rank-local
   pieces [r0[k], r0[k] + nr[k]) x dims[1..], concatenated in data. For layouts
   where a rank owns several separate row ranges. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputWritePieces(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], const double *data);

/* Reopens "<path>.partial" (left by MrOutputClosePartial) for appending, as it
   is. Fails collectively with a clear message when it is missing or unreadable.
   Collective. */
PETSC_EXTERN PetscErrorCode MrOutputReopen(MPI_Comm comm, const char path[], MrOutput *out);
/* Reopens "<path>.partial" of an interrupted run to continue it (restart) from
   the state a manifest (MrOutputGetManifest, kept in the checkpoint) recorded:
   refuses, collectively and naming the dataset or attribute, a file that is
   missing, unreadable, or whose recorded rows and attributes differ from their
   checksums (truncated, overwritten, bit flips); removes the datasets, groups and root
   attributes written after the manifest. MrSeriesReopen then cuts each series
   back to its recorded rows. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputReopenChecked(MPI_Comm comm, const char path[], const char manifest[], MrOutput *out);
/* Text listing everything written so far through MrOutput (after flushing every
   series): each dataset with its rows and each attribute, with a checksum of
   the values that does not depend on the number of ranks that wrote them. Lines
   "mrdyn manifest 1", then "D <sum> <rows> <ndims> <values per row> <name>" and
   "A <sum> <[object]@name>". Free with PetscFree. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputGetManifest(MrOutput out, char **manifest);
/* Checks a complete file against the manifest it holds in its root string
   attribute attr (a checkpoint keeps its own): a mismatch is refused
   collectively, "<what> '<path>' is damaged: ...". *has is false (and nothing
   refused) when the file cannot be opened or has no such attribute: the
   caller's own checks then say what it is. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputVerify(MPI_Comm comm, const char path[], const char attr[], const char what[], PetscBool *has);
/* Opens a complete file for collective reading (a checkpoint). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputOpenRead(MPI_Comm comm, const char path[], MrOutput *out);
/* Closes a file opened by MrOutputOpenRead, or leaves an output as "<path>.partial"
   after flushing every series (an interrupted run). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputClosePartial(MrOutput *out);
/* Flushes every series and the file to disk (before a checkpoint records rows). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputFlush(MrOutput out);
/* Reads the pieces written by MrOutputWritePieces; the dataset must be numeric and have
   dims, else a collective input error names it. Finite: also every value read must be
   finite (a state; NaN marks no entry in some datasets, e.g. unfilled records). Collective. */
PETSC_EXTERN PetscErrorCode MrOutputReadPieces(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], double *data);
PETSC_EXTERN PetscErrorCode MrOutputReadPiecesFinite(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], double *data);
/* Root attribute readers of a file opened for reading or reopened. Collective (every rank reads). */
PETSC_EXTERN PetscErrorCode MrOutputGetAttrReal(MrOutput out, const char name[], PetscReal *value);
PETSC_EXTERN PetscErrorCode MrOutputGetAttrInt(MrOutput out, const char name[], PetscInt64 *value);
PETSC_EXTERN PetscErrorCode MrOutputGetAttrString(MrOutput out, const char name[], char value[], size_t len);
/* A string attribute of any length (fixed-length strings, as MrOutput writes them); PetscFree it. Collective. */
PETSC_EXTERN PetscErrorCode MrOutputGetAttrStringAlloc(MrOutput out, const char name[], char **value);

/* A time series (nt, ncols) of doubles that grows while the run goes. Each rank
   owns the columns it lists (ascending; columns are owned exactly once) and
   appends one row of those values per save; rows are written every `buffer`
   saves. Collective. */
PETSC_EXTERN PetscErrorCode MrSeriesCreate(MrOutput out, const char name[], PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, MrSeries *s);
/* The same with a trial axis: (nt, T, ncols) when T > 1. Collective. */
PETSC_EXTERN PetscErrorCode MrSeriesCreateTrials(MrOutput out, const char name[], PetscInt T, PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, MrSeries *s);
/* Reopens a series of a reopened output, cut back to its first `rows` rows (the
   rows a checkpoint recorded), to append after them. Collective. */
PETSC_EXTERN PetscErrorCode MrSeriesReopen(MrOutput out, const char name[], PetscInt T, PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, PetscInt64 rows, MrSeries *s);
/* Appends this rank's values of one row: [trial][owned column]. Collective (may flush). */
PETSC_EXTERN PetscErrorCode MrSeriesAppend(MrSeries s, const PetscReal values[]);
PETSC_EXTERN PetscErrorCode MrSeriesFlush(MrSeries s);

/* Opens an existing HDF5 file read-only on this rank alone (a rank-0 reader; no
   MPI-IO), with HDF5's automatic error printing off. On failure *file is negative
   and msg says why, starting with what and the path ("model file 'm.h5'"): it does
   not exist, is a directory or unreadable, is not an HDF5 file, or is damaged
   (HDF5's own reason, e.g. a truncated file). Callers share msg (MrShareStatus). Not collective. */
PETSC_EXTERN PetscErrorCode MrH5OpenRead(const char path[], const char what[], hid_t *file, char msg[], size_t len);
/* The innermost reason on HDF5's error stack after a failed call (clears the stack). Not collective. */
PETSC_EXTERN PetscErrorCode MrH5ErrorReason(char buf[], size_t len);
/* Serial (rank-0) reading helpers: return negative on failure with a message. */
PETSC_EXTERN PetscErrorCode MrH5ReadDataset(hid_t file, const char name[], hid_t memtype, int *rank, hsize_t dims[], void **data, char msg[], size_t len);
/* Integers of any HDF5 integer type (signed or unsigned, any width; a float dataset is
   refused) read into 64 bits; every value must lie in [lo, hi], else msg names the
   dataset, the index and the value as stored. Free *data with free(). Not collective. */
PETSC_EXTERN PetscErrorCode MrH5ReadInt64(hid_t file, const char name[], PetscInt64 lo, PetscInt64 hi, int *rank, hsize_t dims[], PetscInt64 **data, char msg[], size_t len);
/* A scalar integer attribute of any integer type, or a float holding a whole number,
   into 64 bits without saturation; PETSC_FALSE when missing, unreadable or not such a
   number. Not collective. */
PETSC_EXTERN PetscBool MrH5ReadAttrInt64(hid_t obj, const char name[], PetscInt64 *value);
/* An integer attribute of 1 to cap values (any HDF5 integer type, or floats holding whole
   numbers) in 64 bits, each in [lo, hi]; *n is the count, *data is freed with free(). On
   failure msg names the attribute, the index and the value as stored. Not collective. */
PETSC_EXTERN PetscErrorCode MrH5ReadAttrInt64Array(hid_t obj, const char name[], PetscInt64 lo, PetscInt64 hi, size_t cap, size_t *n, PetscInt64 **data, char msg[], size_t len);
PETSC_EXTERN PetscBool      MrH5Exists(hid_t file, const char name[]);
/* One attribute value of obj (a scalar or a one-element array): ok is false when it is
   absent, of another class (a string where a number belongs, a float where an integer
   does), unreadable, or (strings) longer than len - 1. Int64: an integer class, unsigned
   values above 2^63 - 1 refused. Real: an integer or float class. Not collective. */
PETSC_EXTERN PetscErrorCode MrH5GetAttrString(hid_t obj, const char name[], char buf[], size_t len, PetscBool *ok);
PETSC_EXTERN PetscErrorCode MrH5GetAttrInt64(hid_t obj, const char name[], long long *value, PetscBool *ok);
PETSC_EXTERN PetscErrorCode MrH5GetAttrReal(hid_t obj, const char name[], double *value, PetscBool *ok);
PETSC_EXTERN PetscErrorCode MrH5WriteDataset(hid_t file, const char name[], hid_t type, int rank, const hsize_t dims[], const void *data);
PETSC_EXTERN PetscErrorCode MrH5WriteAttrString(hid_t obj, const char name[], const char value[]);
PETSC_EXTERN PetscErrorCode MrH5WriteAttrReal(hid_t obj, const char name[], PetscReal value);
PETSC_EXTERN PetscErrorCode MrH5WriteAttrInt(hid_t obj, const char name[], PetscInt64 value);
