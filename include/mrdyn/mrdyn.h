/* mrdyn: multiregion recurrent networks and their mean-field theory. */
#pragma once
#include <mrdyn/error.h>
#include <mrdyn/options.h>
#include <mrdyn/rng.h>
#include <mrdyn/model.h>
#include <mrdyn/layout.h>
#include <mrdyn/exchange.h>
#include <mrdyn/connectivity.h>
#include <mrdyn/weights.h>
#include <mrdyn/io.h>
#include <mrdyn/network.h>
#include <mrdyn/dmft.h>
#include <mrdyn/sweep.h>
#include <mrdyn/analysis.h>
#include <mrdyn/polytope.h>
