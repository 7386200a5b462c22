/** The model names suite (worker/test/suites/model-names.ts) against the Worker. */
import { modelNamesSuite } from '../suites/model-names';
import { edgeHarness } from './harness';

modelNamesSuite(edgeHarness);
