#include "test_objects.hpp"
