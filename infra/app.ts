import { App } from 'aws-cdk-lib';
import { SellerGraderStack } from './stack';

// Environment-agnostic: no lookups, so `cdk synth` runs offline without credentials.
const app = new App();
new SellerGraderStack(app, 'SellerGrader', { alarmEmail: app.node.tryGetContext('alarmEmail') });
app.synth();
