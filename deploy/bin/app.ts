// Entry point for the CDK CLI (deploy/cdk.json: `npx cdk synth` from deploy/, or `npm run deploy:synth`).
import { buildApp } from '../lib/app.ts';

buildApp().app.synth();
