// Every unit test runs with the kernel's full check of declared logs: a protocol whose log
// changes anywhere but at its ends fails the test that runs it (src/sim/kernel/archive.ts).
import { setLogVerification } from '../src/sim/kernel/archive';

setLogVerification(true);
