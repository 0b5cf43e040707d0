#include "arca_cpu.h"
