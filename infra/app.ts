import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SellerGraderStack } from './stack';

// Environment-agnostic: no lookups, so `cdk synth` runs offline without credentials.
const app = new App();
new SellerGraderStack(app, 'SellerGrader', { alarmEmail: app.node.tryGetContext('alarmEmail') });
// Synth and deploy stop on any unacknowledged AwsSolutions finding, as test/infra/nag.test.ts does.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
