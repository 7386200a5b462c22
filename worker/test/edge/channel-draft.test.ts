/** The unsaved-channel test and model list suite (worker/test/suites/channel-draft.ts) against the Worker. */
import { channelDraftSuite } from '../suites/channel-draft';
import { edgeHarness } from './harness';

channelDraftSuite(edgeHarness);
