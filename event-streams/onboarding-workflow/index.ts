/**
 * Entry point of the "Onboarding Workflow" Event Stream Action.
 * Bundled by `npm run build` into actions/Onboarding Workflow/code.js.
 */
import { createHandler } from './handler';

export const onExecuteEventStream = createHandler();
